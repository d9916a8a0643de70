"""Generic bulk SQL plumbing for the bulk readers and writers: COPY inserts, one-statement updates, advisory
locks, planner statistics and the `any_of` lookup. Knows no domain model."""
