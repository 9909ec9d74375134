"""Background jobs any worker can run: state in the database, files in a shared folder, a queue.

`runner` is the API the domain packages call (register a handler, submit a job, report
progress); `queue` holds the task queue (Huey: SQLite on one server, Redis for several) and
its consumers; `views` shows a job's progress and serves its file to its owner.
"""
