"""The result templates admins write (``Procedure.result_template``): one sandboxed engine.

Admins are trusted to write a document, not to read the server: the engine has no template
loaders and no tag libraries, and only the tags that lay out text are allowed — no
``{% include %}``, ``{% extends %}``, ``{% load %}``, ``{% autoescape off %}``, ``|safe`` or
``{% debug %}`` (which would print the server's modules into a signed document). Values given
to it are plain (dossiers/results.py); WeasyPrint fetches no file or URL it names
(``dossiers.documents.render_pdf``).
"""

from __future__ import annotations

import re

from django.template import Engine, Template, TemplateSyntaxError
from django.template.base import Lexer, TokenType
from django.utils.translation import gettext as _

ALLOWED_TAGS = frozenset(
    {
        *("if", "elif", "else", "endif", "for", "empty", "endfor", "with", "endwith"),
        *("ifchanged", "endifchanged", "firstof", "cycle", "now", "regroup", "widthratio"),
        *("spaceless", "endspaceless", "filter", "endfilter"),
        *("comment", "endcomment", "verbatim", "endverbatim", "templatetag"),
    }
)

UNESCAPING = re.compile(r"\|\s*(safe|safeseq)\b")

_engine = Engine(
    loaders=[],
    libraries={},
    builtins=["django.template.defaultfilters", "django.template.defaulttags"],
)


def compile_result_template(source: str) -> Template:
    """The template, checked; raises ``TemplateSyntaxError`` naming what is not allowed."""
    for token in Lexer(source).tokenize():
        # Every value stays escaped: what a citizen typed can never become markup.
        if token.token_type == TokenType.VAR and UNESCAPING.search(token.contents):
            raise TemplateSyntaxError(
                _("the filters safe and safeseq are not allowed in a result template")
            )
        if token.token_type == TokenType.BLOCK:
            tag = (token.split_contents() or [""])[0]
            if tag not in ALLOWED_TAGS:
                raise TemplateSyntaxError(
                    _("the tag {%% %(tag)s %%} is not allowed in a result template") % {"tag": tag}
                )
    return _engine.from_string(source)
