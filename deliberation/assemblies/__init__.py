"""Live assemblies (assemblées / séances): polls, ballots and their receipts, questions from the room.

For now only the pure counting core exists: `voting` (validating choices, tallying every poll method, ranking
the options) and `receipts` (the hash-chained ballot log and the public recount). Neither touches the database
or Flask; the models, services and the `/live` Socket.IO namespace will build on them.
"""
