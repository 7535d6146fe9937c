"""The demo: a blockchain technology company's CRM and finance system, overlapping as real ones do."""
