"""The `/live` Socket.IO namespace of live assemblies (work/live-protocol.md, shared/API.md).

events: the handlers; snapshot: what each view is shown; tallies: the coalescing emitter and attendance;
broadcast: messages that follow a committed change.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from deliberation.assemblies.live import events

    events.register()
