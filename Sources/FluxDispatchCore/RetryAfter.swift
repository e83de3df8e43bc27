import Foundation

/// How long GitHub asked us to wait before the next request, from a rate-limit or overload answer.
///
/// GitHub's documented rules: obey `Retry-After` (seconds, or an HTTP date); when
/// `x-ratelimit-remaining` is `0`, wait until `x-ratelimit-reset` (epoch seconds); on a secondary
/// rate limit without either, wait at least a minute.
public enum RetryAfter {
    /// The wait in seconds, or nil when the answer asks for none. `now` is epoch seconds.
    public static func seconds(
        status: Int, retryAfter: String?, rateLimitRemaining: String?, rateLimitReset: String?, message: String,
        now: Double
    ) -> Double? {
        if let retryAfter = retryAfter?.trimmingCharacters(in: .whitespaces), !retryAfter.isEmpty {
            if let seconds = Double(retryAfter), seconds.isFinite {
                return clamp(seconds)
            }
            if let date = httpDate(retryAfter) {
                return clamp(date.timeIntervalSince1970 - now)
            }
        }
        if rateLimitRemaining?.trimmingCharacters(in: .whitespaces) == "0",
            let reset = rateLimitReset.flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) })
        {
            return clamp(reset - now)
        }
        if status == 403 || status == 429, message.lowercased().contains("secondary rate limit") {
            return 60
        }
        return nil
    }

    /// At least a second, at most an hour: a bad header must neither spin nor stall delivery for days.
    static func clamp(_ seconds: Double) -> Double {
        min(3600, max(1, seconds))
    }

    private static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
