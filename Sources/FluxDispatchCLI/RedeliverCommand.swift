import ArgumentParser
import FluxDispatchCore
import FluxDispatchDashboard
import FluxDispatchStore

struct RedeliverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redeliver",
        abstract: "Queue a failed, rejected or dead dispatch again (as `r` in the dashboard).",
        discussion: """
            The dispatch goes to the end of its repository's outbox queue and the running receiver's \
            delivery worker sends it within about a second, with the usual retries. Who asked is recorded \
            with the event (see `flux-dispatch events` and the dashboard's details). The dedup key is \
            claimed again, so an identical event arriving meanwhile is a duplicate.

            Only dispatches that failed (dispatch_unavailable, github_auth_failed), were rejected \
            (dispatch_rejected) or are dead (dispatch_dead) can be redelivered.

            Exit codes: 0 queued, 1 refused (no such event, nothing to redeliver, already queued), \
            2 the store cannot be opened.

            Examples:
              flux-dispatch events --outcome dispatch_dead
              flux-dispatch redeliver 4127
              flux-dispatch redeliver 4127 --operator alice \\
                --db /var/lib/flux-dispatch/state.db
            """
    )

    @Argument(help: "The event's id (the first column of `flux-dispatch events`).")
    var eventID: Int64

    @Option(name: .customLong("operator"), help: "Who asks; default: the Unix user.")
    var operatorName: String?

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let state = store.openExisting()
        let who = operatorName ?? UnixUser.name
        let item: OutboxItem
        do {
            item = try await state.redeliver(eventID: eventID, operatorName: who, at: .now())
        } catch let error as RedeliveryError {
            fail(1, "not queued: \(error.description)")
        } catch {
            fail(2, "cannot write to the state store \(state.path): \(error)")
        }
        // The event type is the event's own `dispatch_event`, as sent.
        print(TerminalText.printable("queued event \(eventID) for \(item.dispatchRepo) (\(item.eventType)), asked by \(who)"))
        let live = (try? state.liveReceivers(freshAfter: .now() - SnapshotLoader.liveWindow)) ?? []
        if let receiver = live.first {
            if receiver.dryRun {
                print("note: the running receiver is in dry run; it will be sent when a receiver with a GitHub App runs")
            }
        } else {
            print("note: no receiver is running on this store; it will be sent when one starts")
        }
    }
}
