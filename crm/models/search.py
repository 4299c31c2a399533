"""The words search knows: every distinct word of every searchable record, small enough
(a vocabulary, not a row per record) for trigram look-ups to be cheap (crm.search)."""

from typing import ClassVar

from django.contrib.postgres.indexes import GistIndex
from django.db import models


class SearchWord(models.Model):
    """One distinct word (a lexeme of some record's `search_words` column). Added from the
    change event as records are written; words no record uses any more stay until the next
    `manage.py search_words` rebuild (they only cost a look-up that finds nothing)."""

    # Django gives a text primary key a second, `varchar_pattern_ops` index (`…_like`):
    # the words a query word begins are a byte-wise range of it.
    word = models.CharField(max_length=40, primary_key=True)

    class Meta:
        indexes: ClassVar = [
            # GiST, not GIN: the close spellings of a word are walked nearest-first.
            GistIndex(fields=["word"], opclasses=["gist_trgm_ops"], name="search_word_trgm"),
        ]

    def __str__(self) -> str:
        return self.word


def word_parts(field: str) -> models.Func:
    """`field` with the punctuation of emails and domains turned into spaces, so that
    "ana@soylent.example" is also the words ana, soylent and example in a document."""
    return models.Func(
        models.F(field),
        models.Value("@.-_+"),
        models.Value("     "),
        function="translate",
        output_field=models.TextField(),
    )
