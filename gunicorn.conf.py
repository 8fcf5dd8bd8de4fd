"""gunicorn's settings for newsroom, read by `gunicorn newsroom.wsgi` started in this folder
(or given with `-c gunicorn.conf.py`). Anything here can still be set on the command line."""

import os

# Which peers may tell gunicorn that a request came over https (X-Forwarded-Proto and its
# kin), which Django then believes (request.is_secure(): Secure cookies, https redirects and
# links). gunicorn's own default trusts 127.0.0.1, so any process on the machine could claim
# it; here nobody is trusted until FORWARDED_ALLOW_IPS names the TLS-terminating proxy
# (comma-separated addresses or networks, e.g. "10.0.0.5" or "10.0.0.0/24").
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "")
