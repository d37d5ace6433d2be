"""Web security: the API fuzzed against its own schema, injection, CORS, headers, tokens, SSRF."""
