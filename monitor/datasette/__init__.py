"""What Datasette needs to present the database to people: templates, CSS and a plugin.

``monitor.serve`` points Datasette at ``templates/``, ``static/`` and ``plugins/``; the plugin's
pure helpers live in :mod:`monitor.datasette.markup` so they can be tested without a server.
"""
