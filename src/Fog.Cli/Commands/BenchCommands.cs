using System.CommandLine;
using Fog.Bench.Attestation;
using Fog.Bench.Ingest;
using Fog.Bench.Ledger;
using Fog.Bench.Node;
using Fog.Bench.Oram;
using Fog.Bench.Recovery;
using Fog.Bench.View;
using Fog.Cli.Network;

namespace Fog.Cli.Commands;

/// <summary>
/// <c>fog bench …</c>: in-process benchmarks. Each prints medians next to a baseline measured in the same run; run them
/// on a quiet machine and read the ratios. (BenchmarkDotNet suites for the primitives are in bench/Fog.Benchmarks.)
/// </summary>
internal static class BenchCommands
{
    internal static Command Build()
    {
        var bench = new Command("bench", "Run in-process benchmarks (medians, with a baseline measured in the same run).");
        bench.Subcommands.Add(Oram());
        bench.Subcommands.Add(Attestation());
        bench.Subcommands.Add(Recovery());
        bench.Subcommands.Add(Node());
        bench.Subcommands.Add(Ingest());
        bench.Subcommands.Add(View());
        bench.Subcommands.Add(Ledger());
        bench.Subcommands.Add(Wallet());
        return bench;
    }

    private static Option<bool> Quick() => new("--quick") { Description = "A short run (under a minute) printing one summary line per case." };

    private static Command Oram()
    {
        var quick = Quick();
        var command = new Command("oram", "Oblivious map lookups for the view, ingest and key-image shapes at several capacities, both evictors, next to a Dictionary and the memory floor.") { quick };
        command.SetAction(parse =>
        {
            OramBenchmark.Run(parse.GetValue(quick) ? OramBenchmarkOptions.QuickRun : new OramBenchmarkOptions(), parse.InvocationConfiguration.Output);
        });
        return command;
    }

    private static Command Attestation()
    {
        var quick = Quick();
        var command = new Command("attestation", "Noise NX handshakes with simulated evidence and encrypted 1 KiB round trips, next to raw X25519/Ed25519 and AES-GCM.") { quick };
        command.SetAction(parse =>
        {
            var options = parse.GetValue(quick) ? new AttestationBenchOptions { Handshakes = 50, RoundTripSamples = 15, RoundTripsPerSample = 100 } : new AttestationBenchOptions();
            parse.InvocationConfiguration.Output.WriteLine(AttestationBench.Run(options));
        });
        return command;
    }

    private static Command Recovery()
    {
        var quick = Quick();
        var postgres = new Option<string>("--postgres") { Description = "Also measure PostgreSQL at this connection string." };
        var command = new Command("recovery", "Recovery DB records written and read per second (SQLite, and PostgreSQL when given), next to an in-memory dictionary.") { quick, postgres };
        command.SetAction(parse =>
        {
            var options = new RecoveryDbBenchmarkOptions { PostgresConnectionString = parse.GetValue(postgres) };
            if (parse.GetValue(quick))
            {
                options.Blocks = 40;
                options.Samples = 3;
            }

            RecoveryDbBenchmark.Run(options, parse.InvocationConfiguration.Output);
        });
        return command;
    }

    private static Command Node()
    {
        var quick = Quick();
        var command = new Command("node", "Dev node: 2-input transactions validated and appended per second, and follower copy rate.") { quick };
        command.SetAction(parse =>
        {
            try
            {
                NodeBenchmark.Run(parse.GetValue(quick) ? NodeBenchmarkOptions.Quick : new NodeBenchmarkOptions(), parse.InvocationConfiguration.Output);
            }
            catch (DllNotFoundException e)
            {
                throw new CliException(e.Message, FogCommand.Failure);
            }
        });
        return command;
    }

    private static Command Ingest()
    {
        var quick = Quick();
        var command = new Command("ingest", "Ingest enclave: TxOuts turned into fog records per second with the RNG map partly full, next to the scalar multiplications and map access one TxOut needs.") { quick };
        command.SetAction(parse =>
        {
            IngestBenchmark.Run(parse.GetValue(quick) ? IngestBenchmarkOptions.Quick : new IngestBenchmarkOptions(), parse.InvocationConfiguration.Output);
        });
        return command;
    }

    private static Command View()
    {
        var quick = Quick();
        var command = new Command("view", "Fog view: a query of 500 search keys at map capacity 2^20, over attested gRPC on loopback, next to the in-process enclave and a Dictionary.") { quick };
        command.SetAction(parse =>
        {
            ViewBenchmark.Run(parse.GetValue(quick) ? ViewBenchmarkOptions.Quick : new ViewBenchmarkOptions(), parse.InvocationConfiguration.Output);
        });
        return command;
    }

    private static Command Wallet()
    {
        var quick = Quick();
        var command = new Command("wallet", "Client SDK on a dev network: full restore of a wallet with 1,000 outputs, incremental check with nothing new, payment until the recipient sees it; next to attested view and ledger round trips.") { quick };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = parse.GetValue(quick) ? WalletBenchmarkOptions.Quick : new WalletBenchmarkOptions();
            await WalletBenchmark.RunAsync(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    private static Command Ledger()
    {
        var quick = Quick();
        var command = new Command("ledger", "Fog ledger: a check of 100 key images at map capacity 2^20, over attested gRPC on loopback, next to the in-process enclave and a Dictionary.") { quick };
        command.SetAction(parse =>
        {
            LedgerBenchmark.Run(parse.GetValue(quick) ? LedgerBenchmarkOptions.Quick : new LedgerBenchmarkOptions(), parse.InvocationConfiguration.Output);
        });
        return command;
    }
}
