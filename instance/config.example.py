# Copy to instance/config.py; every key is optional.
# Environment variables with the CRM_ prefix override these (CRM_DATABASE_URL, ...).

# DATABASE_URL = "sqlite:////var/lib/followthrough/crm.db"
# PER_PAGE = 50          # rows per page in the lists
# TIMEZONE = "America/New_York"
