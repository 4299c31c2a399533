"""Rebuild what search looks words up in: every deal's `search_words` and the table of
distinct words (crm.SearchWord), dropping words no record uses any more. The change event
keeps both current between rebuilds; run this after bulk SQL that announced nothing."""

from typing import Any

from django.core.management.base import BaseCommand

from crm.search import rebuild_words


class Command(BaseCommand):
    help = "Rebuild the search word table (and deals' search words) from every record."

    def handle(self, *args: Any, **options: Any) -> None:
        count = rebuild_words()
        self.stdout.write(self.style.SUCCESS(f"Search knows {count} words."))
