import ArgumentParser
import FluxDispatchReceiver

@main
struct FluxDispatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flux-dispatch",
        abstract: "Turns Flux deployment events into GitHub repository_dispatch events, and records them.",
        discussion: """
            Flux's notification-controller posts events to `serve`; successes and failures become \
            repository_dispatch events for the product repositories named in each Alert's eventMetadata, \
            duplicates suppressed. Everything is recorded in one SQLite state store (STATE_DB). \
            `dash` shows it to on-call engineers; `demo` runs the whole thing on this machine with no setup.
            """,
        version: FluxDispatchVersion.current,
        subcommands: [
            ServeCommand.self, DashCommand.self, DemoCommand.self, StatusCommand.self, EventsCommand.self, DismissCommand.self,
            UndismissCommand.self, RedeliverCommand.self, SendCommand.self, BenchCommand.self, BenchCeilingCommand.self, BenchDashboardCommand.self, BenchReadersCommand.self,
            GitHubStandInCommand.self, BenchPipelineCommand.self,
        ]
    )
}
