from datetime import UTC, datetime

from db.engine import Sessions
from db.tables import Resident


async def test_datetimes_come_back_timezone_aware(sessions: Sessions) -> None:
    moment = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
    async with sessions.begin() as session:
        resident = Resident(created_at=moment)
        session.add(resident)
    async with sessions() as session:
        stored = await session.get(Resident, resident.id)
        assert stored is not None
        assert stored.created_at == moment
        assert stored.created_at.tzinfo is not None
