"""The database: connection, migrations, transactions, and the derived summaries kept exact on every write."""
