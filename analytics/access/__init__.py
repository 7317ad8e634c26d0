"""Who is looking and what they may do: viewers, accounts and sign-in, settings, the audit trail."""
