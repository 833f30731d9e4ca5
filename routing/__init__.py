"""Which agency: the catalog (agencies, keywords, SLA targets), text normalisation, the matcher.

Pure functions and data: no database, no channel, no network.
"""
