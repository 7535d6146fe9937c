"""The ``synchub`` command line."""
