"""Drafting a synthesis from a consultation's public data (reads only, writes nothing).

    from deliberation.synthesis.drafting import draft_synthesis_markdown
    body = draft_synthesis_markdown(consultation)                 # the whole consultation
    body = draft_synthesis_markdown(consultation, assembly=item)  # one assembly: its agenda and polls
"""

from deliberation.synthesis.drafting.document import draft_synthesis_markdown

__all__ = ["draft_synthesis_markdown"]
