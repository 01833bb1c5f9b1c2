"""``python -m tools.deploy_check``: ``make deploy-check``."""

from tools.deploy_check.check import main

main()
