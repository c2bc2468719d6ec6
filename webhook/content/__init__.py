"""Answer content: loading `responses/`, filling placeholders, and checking Messenger's limits."""
