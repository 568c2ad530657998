import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fazhan.settings")
django_application = get_wsgi_application()

# Imported once Django is set up (it reads models). The public notice page of the last second is
# answered before Django's middleware (fazhan/public/fastpage.py); everything else is Django's.
from fazhan.public.fastpage import FastNoticePages  # noqa: E402

application = FastNoticePages(django_application)
