"""Cross-cutting pieces every module uses: configuration, database, transactions, errors, audit, clock."""
