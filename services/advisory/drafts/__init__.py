"""What a member of staff is writing on a case and has not sent: one draft per case and
person, kept on the server (it survives a reload, or another machine). Only its author reads
it. Sending the reply (or the note) removes it in the same transaction. Not a fact of the log
(nothing is published, a rebuild leaves it alone)."""
