-- compose.yaml's PostgreSQL: what deploy/postgres.sh provisions on the local stack, with the
-- same development passwords (each role's name: for trying Relais, never for real data). Run
-- once by the postgres image on an empty volume. Kubernetes: deploy/k8s (CloudNativePG) with
-- generated passwords instead.
CREATE ROLE relais LOGIN PASSWORD 'relais';
CREATE DATABASE relais OWNER relais;
\connect relais
CREATE ROLE relais_intake LOGIN PASSWORD 'relais_intake';
CREATE ROLE relais_routing LOGIN PASSWORD 'relais_routing';
CREATE ROLE relais_advisory LOGIN PASSWORD 'relais_advisory';
CREATE ROLE relais_admin LOGIN PASSWORD 'relais_admin';
-- The key store of the members' keys (shared/keys.py): a role and schema of its own.
CREATE ROLE relais_keystore LOGIN PASSWORD 'relais_keystore';
CREATE ROLE relais_bi LOGIN PASSWORD 'relais_bi';
CREATE SCHEMA intake AUTHORIZATION relais_intake;
CREATE SCHEMA routing AUTHORIZATION relais_routing;
CREATE SCHEMA advisory AUTHORIZATION relais_advisory;
CREATE SCHEMA admin AUTHORIZATION relais_admin;
CREATE SCHEMA keystore AUTHORIZATION relais_keystore;
ALTER ROLE relais_intake SET search_path = intake;
ALTER ROLE relais_routing SET search_path = routing;
ALTER ROLE relais_advisory SET search_path = advisory;
ALTER ROLE relais_admin SET search_path = admin;
ALTER ROLE relais_keystore SET search_path = keystore;
GRANT relais_intake, relais_routing, relais_advisory, relais_admin, relais_keystore TO relais;
-- BI tools read the views of schema bi (reporting/install.py) as relais_bi, and nothing else.
ALTER ROLE relais_bi SET default_transaction_read_only = on;
CREATE SCHEMA bi AUTHORIZATION relais;
