"""Fixtures for the unit and end-to-end tests alike.

needs_postgresql, needs_redis and needs_tmux (tests/support/required.py) skip a
test on a machine without that service, and fail it when CI requires them all.
"""

pytest_plugins = ["tests.support.required"]
