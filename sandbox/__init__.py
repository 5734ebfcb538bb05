"""`make demo`: the whole stack live on one machine, brought up from the declared resources."""
