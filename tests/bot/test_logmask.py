"""Residents' personal data and secrets never reach a log line, whoever writes it."""

from __future__ import annotations

import logging

import pytest

from bot.logmask import MaskingFilter, mask_text, setup_logging


def test_phone_numbers_ids_and_tokens_are_masked() -> None:
    line = mask_text(
        "from 6281200000001 user 5550012345 url https://api.telegram.org/bot"
        "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawx/sendMessage "
        "Authorization: Bearer EAAGm0PX4ZCps"
    )
    assert "6281200000001" not in line and "5550012345" not in line
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawx" not in line and "EAAGm0PX4ZCps" not in line
    assert "**********001" in line  # enough left to tell two residents apart in a log


def test_ticket_references_and_group_ids_stay_readable() -> None:
    line = "KDR-26-000123 posted to -1001000000000"
    assert mask_text(line) == line


def test_the_filter_masks_arguments_of_any_logger(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("some.library")
    caplog.handler.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO):
        logger.info("message from %s", "6281200000002")
    assert "6281200000002" not in caplog.text and "002" in caplog.text


def test_chat_keys_and_business_scoped_ids_are_masked() -> None:
    line = mask_text("chat whatsapp:6281200000001 user ID.100000000000001 done")
    assert "6281200000001" not in line and "100000000000001" not in line


def test_identity_numbers_are_masked_in_any_log_record(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("some.library")
    caplog.handler.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO):
        logger.info("report: %s", "NIK saya 3571 0112 0590 0001, KK 35.71.01.120590.0002")
        logger.warning("failed for 3571011205900003")
    for whole in ("3571 0112 0590 0001", "35.71.01.120590.0002", "3571011205900003"):
        assert whole not in caplog.text
        assert all(whole not in record.getMessage() for record in caplog.records)
    assert "**** **** **** *001" in caplog.text  # the last digits tell two numbers apart


def test_phone_numbers_in_groups_and_e_mail_addresses_are_masked_in_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A resident's words quoted in a log line (a refused report, a failed send) keep no contact."""
    caplog.handler.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO):
        logging.getLogger("lapor.test").info(
            "text: %s", "hubungi 0812-3456-7890 / warga.rt5@mail.id"
        )
    assert "0812-3456-7890" not in caplog.text and "warga.rt5@mail.id" not in caplog.text
    assert "****-****-*890" in caplog.text and "w***@***.id" in caplog.text
    kept = "at 2026-12-02 14:57:29 on 127.0.0.1:8080"
    assert mask_text(kept) == kept


def test_scheduler_runs_do_not_fill_the_log_but_its_warnings_do() -> None:
    """Two INFO lines per job run, every 30 s, would bury what the admin reads at 7 a.m."""
    root = logging.getLogger()
    handlers, levels = (
        root.handlers[:],
        {name: logging.getLogger(name).level for name in ["", *logging.root.manager.loggerDict]},
    )
    try:
        setup_logging("INFO")
        runs = logging.getLogger("apscheduler.executors.default")
        assert not runs.isEnabledFor(logging.INFO) and runs.isEnabledFor(logging.WARNING)
        assert logging.getLogger("bot.scheduler").isEnabledFor(logging.INFO)
    finally:  # other tests read these loggers (httpx's request lines, say) as pytest set them
        root.handlers[:] = handlers
        for name in logging.root.manager.loggerDict:
            logging.getLogger(name).setLevel(levels.get(name, logging.NOTSET))
        root.setLevel(levels[""])
