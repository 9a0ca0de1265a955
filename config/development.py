"""Development: the embedded default (SQLite, one process), e-mails written to instance/mail/."""

ENV = "development"
MAIL_BACKEND = "file"
