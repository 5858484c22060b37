"""alembic environment of one Zhaoshang service (the service is named by the folder)."""

from alembic import context

from shared.migrations import include_name, metadata_of

config = context.config
service = config.attributes["service"]
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata_of(service),
    compare_type=True,
    render_as_batch=True,
    version_table="alembic_version",
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
