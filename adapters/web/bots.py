"""Telling automated browsers apart: flagged on the event (context.bot), never dropped."""

from __future__ import annotations

import re

# Headless browsers and test drivers announce themselves in the user agent; crawlers say bot/spider/crawler.
# A short list on purpose: the flag only keeps these out of goals and triggers, the events are stored anyway.
AUTOMATED_AGENT = re.compile(
    r"headless|phantomjs|puppeteer|playwright|selenium|webdriver|lighthouse|cypress|electron/|"
    r"bot\b|bot/|spider|crawl|slurp|facebookexternalhit|python-requests|curl/|wget/", re.IGNORECASE)


def looks_automated(user_agent: str | None, webdriver: object) -> bool:
    """Whether the browser said navigator.webdriver, or its user agent names an automated client."""
    return webdriver is True or bool(user_agent and AUTOMATED_AGENT.search(user_agent))
