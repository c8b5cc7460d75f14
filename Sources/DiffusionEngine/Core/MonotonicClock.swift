import Foundation

/// Seconds from a monotonic clock: what step times, frame times and ETAs are measured with, so a
/// wall-clock change (NTP, DST) never shows up as a negative or huge interval.
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
