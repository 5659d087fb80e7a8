#!/bin/bash
# Run once by the postgres image, when it initialises an empty data volume
# (/docker-entrypoint-initdb.d/, see docker-compose.yml): one user and one database
# per store, so that the Rasa servers (conversations) and the action server (leads)
# each reach only their own data, and neither holds the superuser's password.
# The passwords come from the environment (docker-compose.yml requires them) and
# reach psql as variables that psql quotes itself (:'name'), never pasted into SQL.
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v conversations_password="$CONVERSATIONS_DB_PASSWORD" \
    -v leads_password="$LEADS_DB_PASSWORD" <<'SQL'
CREATE ROLE conversations LOGIN PASSWORD :'conversations_password';
CREATE ROLE leads LOGIN PASSWORD :'leads_password';
CREATE DATABASE conversations OWNER conversations;
CREATE DATABASE leads OWNER leads;
-- Only each owner may connect: not the other store's user.
REVOKE ALL ON DATABASE conversations FROM PUBLIC;
REVOKE ALL ON DATABASE leads FROM PUBLIC;
SQL
