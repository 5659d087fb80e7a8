"""What the tests and the benchmark share: paths, the bot's content, servers and processes."""
