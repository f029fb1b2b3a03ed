"""The read model: SQL tables derived from OGI_EVENTS, their migrations, and the queries that read them."""
