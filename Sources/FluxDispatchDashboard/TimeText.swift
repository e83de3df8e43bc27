import FluxDispatchStore

/// Times as the dashboard shows them, formatted with integer arithmetic (no Foundation date
/// formatting per row: a frame must stay far under 5 ms). Always UTC.
///
/// Relative times are coarse on purpose ("just now", then whole minutes, hours, days): an idle
/// screen must stay byte-identical from one second to the next, so nothing ticks every second.
public enum TimeText {
    /// "14:05".
    public static func clock(_ time: EpochMilliseconds) -> String {
        let (hour, minute, _) = timeOfDay(time)
        return twoDigits(hour) + ":" + twoDigits(minute)
    }

    /// "14:05:09".
    public static func clockSeconds(_ time: EpochMilliseconds) -> String {
        let (hour, minute, second) = timeOfDay(time)
        var bytes: [UInt8] = [0, 0, 58, 0, 0, 58, 0, 0]
        bytes[0] = UInt8(48 + hour / 10)
        bytes[1] = UInt8(48 + hour % 10)
        bytes[3] = UInt8(48 + minute / 10)
        bytes[4] = UInt8(48 + minute % 10)
        bytes[6] = UInt8(48 + second / 10)
        bytes[7] = UInt8(48 + second % 10)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// "2026-05-01 14:05:09 UTC".
    public static func dateTime(_ time: EpochMilliseconds) -> String {
        let days = floorDivide(time, 86_400_000)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        return "\(year)-\(twoDigits(month))-\(twoDigits(day)) \(clockSeconds(time)) UTC"
    }

    /// "just now" (under a minute, or in the future), "5m ago", "3h ago", "2d ago".
    public static func ago(_ time: EpochMilliseconds, now: EpochMilliseconds) -> String {
        duration(now - time).map { "\($0) ago" } ?? "just now"
    }

    /// "5m", "3h", "2d"; nil below a minute.
    public static func duration(_ milliseconds: Int64) -> String? {
        let minutes = milliseconds / 60_000
        if minutes < 1 { return nil }
        if minutes < 60 { return "\(minutes)m" }
        if minutes < 48 * 60 { return "\(minutes / 60)h" }
        return "\(minutes / 1440)d"
    }

    static func timeOfDay(_ time: EpochMilliseconds) -> (Int, Int, Int) {
        let seconds = Int(floorDivide(time, 1000) - floorDivide(time, 86_400_000) * 86_400)
        return (seconds / 3600, seconds / 60 % 60, seconds % 60)
    }

    static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
    static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int, Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
