"""Who is looking: viewers, and (later) accounts and sign-in."""
