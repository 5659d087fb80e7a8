"""A real terminal for the command-line tests: tmux, typed into and read back."""

import subprocess
import time


class Terminal:
    """A tmux session: type into it, read its screen."""

    def __init__(self, name: str) -> None:
        self.name = name

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-J", "-S", "-200", "-t", self.name],
            capture_output=True,
            text=True,
        ).stdout

    def type(self, text: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", text], check=True)
        subprocess.run(["tmux", "send-keys", "-t", self.name, "Enter"], check=True)

    def wait_for(self, text: str, timeout: float = 30, after: int = 0) -> str:
        """Wait until ``text`` appears on screen after the first ``after`` characters."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen[after:]:
                return screen
            time.sleep(0.3)
        raise AssertionError(f"{text!r} not on screen:\n{self.screen()[-3000:]}")

    def say(self, message: str, expected: str) -> str:
        before = len(self.screen())
        self.type(message)
        return self.wait_for(expected, after=max(0, before - 200))
