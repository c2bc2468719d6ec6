"""Development tools: Messenger payloads, the Graph API stand-in and the simulator page."""
