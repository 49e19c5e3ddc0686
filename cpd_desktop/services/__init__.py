"""Use cases of the school's CPD record: validate, compute, query. Each takes a Session. No Qt."""
