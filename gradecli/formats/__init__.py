"""Files in and out: Excel, YAML, TOML, HTML. Rows come with their locations."""
