"""`unspin serve`: the REST API and the web UI."""
