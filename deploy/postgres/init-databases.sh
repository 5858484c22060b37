#!/bin/bash
# Run once by the postgres image on an empty data volume
# (mounted into /docker-entrypoint-initdb.d/): creates one database per
# Zhaoshang service, owned by POSTGRES_USER. Safe to re-run.
set -euo pipefail

DATABASES="zs_intake zs_review zs_negotiation zs_contracts zs_accounting zs_supervision zs_notifications zs_coordinator zs_leadership zs_landreserve zs_gateway"

for db in $DATABASES; do
    echo "init-databases: ensuring database ${db} owned by ${POSTGRES_USER}"
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-$POSTGRES_USER}" <<-SQL
	SELECT 'CREATE DATABASE "${db}" OWNER "${POSTGRES_USER}"'
	WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${db}')\gexec
SQL
done
