using System.CommandLine;
using Fog.Api.Report;
using Fog.Client.Reports;
using Fog.Services.Report;
using Fog.Storage.Recovery;
using Grpc.Core;
using Grpc.Net.Client;

namespace Fog.Cli.Commands;

/// <summary><c>fog serve report</c> and <c>fog report …</c>: the fog report server, its development signing chain, and reading reports.</summary>
internal static class ReportCommands
{
    /// <summary><c>fog serve report</c>.</summary>
    internal static Command Serve()
    {
        var listen = new Option<string>("--listen") { Description = "Client API endpoint (report.ReportAPI).", DefaultValueFactory = _ => "127.0.0.1:6200" };
        var metrics = new Option<string>("--metrics") { Description = "Prometheus endpoint (/metrics, HTTP/1.1).", DefaultValueFactory = _ => "127.0.0.1:6401" };
        var recoveryDb = ServeCommands.RecoveryDbOption();
        var chain = new Option<string>("--signing-chain") { Description = "PEM chain, Ed25519 leaf first, root last (`fog report dev-chain` makes one).", DefaultValueFactory = _ => Path.Combine("fog-report-chain", "chain.pem") };
        var key = new Option<string>("--signing-key") { Description = "PEM (PKCS#8) Ed25519 private key of the leaf.", DefaultValueFactory = _ => Path.Combine("fog-report-chain", "signing-key.pem") };
        var cache = new Option<double>("--cache-seconds") { Description = "Seconds a signed response is reused before the reports are read again.", DefaultValueFactory = _ => 1 };
        var command = new Command("report", "Run the fog report server: serves the ingest reports from the recovery DB, signed by the operator's certificate chain.")
        {
            listen, metrics, recoveryDb, chain, key, cache,
        };
        var logging = new ServeLogging().AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var connection = ServeCommands.RecoveryDb(parse, recoveryDb);

            var options = new ReportServerOptions
            {
                LogLevel = logging.Level(parse),
                JsonLogs = logging.Json(parse),
                Listen = CliInput.Endpoint("--listen", parse.GetValue(listen)),
                Metrics = CliInput.Endpoint("--metrics", parse.GetValue(metrics)),
                RecoveryDb = connection,
                SigningChainPath = parse.GetValue(chain)!,
                SigningKeyPath = parse.GetValue(key)!,
                CacheDuration = TimeSpan.FromSeconds(parse.GetValue(cache)),
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                throw new CliException(e.Message);
            }

            ReportServer server;
            try
            {
                server = await ReportServer.StartAsync(options, cancellationToken);
            }
            catch (RecoveryDbException e)
            {
                throw new CliException($"the recovery database {connection} cannot be used: {e.Message}", FogCommand.Failure);
            }
            catch (InvalidOperationException e)
            {
                throw new CliException(e.Message, FogCommand.Failure);
            }

            await using (server)
            {
                return await ServeCommands.RunUntilStoppedAsync(
                    parse,
                    server.WaitForShutdownAsync,
                    cancellationToken,
                    $"Fog report serving {server.ClientUri} (metrics {server.MetricsUri}metrics); recovery DB {connection}.",
                    $"Fog authority SPKI (put it in users' account keys): {Convert.ToHexStringLower(server.AuthoritySpki)}");
            }
        });
        return command;
    }

    /// <summary><c>fog report …</c>.</summary>
    internal static Command Build()
    {
        var report = new Command("report", "Fog report tools: a development signing chain, and the reports a server publishes.");
        report.Subcommands.Add(DevChain());
        report.Subcommands.Add(Show());
        return report;
    }

    private static Command DevChain()
    {
        var output = new Option<string>("--out") { Description = "Directory for chain.pem, signing-key.pem and authority-spki.hex.", DefaultValueFactory = _ => "fog-report-chain" };
        var days = new Option<int>("--days") { Description = "Days the certificates are valid.", DefaultValueFactory = _ => 365 };
        var name = new Option<string>("--name") { Description = "The root's common name.", DefaultValueFactory = _ => "Fog development authority" };
        var command = new Command("dev-chain", "Create a development signing chain (self-signed root → intermediate → Ed25519 leaf) and print the root SPKI that goes into users' account keys. Not for production: the keys are written unencrypted.")
        {
            output, days, name,
        };
        command.SetAction(parse =>
        {
            var validity = parse.GetValue(days);
            if (validity is < 1 or > 3650)
            {
                throw CliException.BadArgument("--days", "must be between 1 and 3650");
            }

            var chain = DevCertificateChain.Create(new DevChainOptions { NotAfter = DateTimeOffset.UtcNow.AddDays(validity), RootName = parse.GetValue(name)! });
            (string Chain, string Key, string Spki) paths;
            try
            {
                paths = chain.WriteTo(parse.GetValue(output)!);
            }
            catch (IOException e)
            {
                throw new CliException(e.Message, FogCommand.Failure);
            }

            CliOutput.Json(parse.InvocationConfiguration.Output, json =>
            {
                json.WriteString("signing_chain", Path.GetFullPath(paths.Chain));
                json.WriteString("signing_key", Path.GetFullPath(paths.Key));
                json.WriteHex("authority_spki", chain.RootSubjectPublicKeyInfo);
                json.WriteString("not_after", chain.Certificates[0].NotAfter.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            });
            return FogCommand.Success;
        });
        return command;
    }

    private static Command Show()
    {
        var report = new Option<string>("--report") { Description = "The report server (fog:// or insecure-fog:// URL).", DefaultValueFactory = _ => "insecure-fog://127.0.0.1:6200" };
        var command = new Command("show", "Print the reports a server publishes: ids, expiries and the ingress keys their evidence names (NOT validated: a sender validates with the recipient's address).") { report };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!FogUri.TryParse(parse.GetValue(report), out var uri, out var error))
            {
                throw CliException.BadArgument("--report", error);
            }

            using var channel = GrpcChannel.ForAddress(uri.GrpcAddress);
            ReportResponse response;
            try
            {
                response = await new ReportAPI.ReportAPIClient(channel).GetReportsAsync(new ReportRequest(), cancellationToken: cancellationToken);
            }
            catch (RpcException e)
            {
                throw new CliException($"the report server at {uri} answered {e.StatusCode}: {e.Status.Detail}", FogCommand.Failure);
            }

            CliOutput.Json(parse.InvocationConfiguration.Output, json =>
            {
                json.WriteNumber("certificates", response.Chain.Count);
                json.WriteStartArray("reports");
                foreach (var item in response.Reports)
                {
                    json.WriteStartObject();
                    json.WriteString("fog_report_id", item.FogReportId);
                    json.WriteNumber("pubkey_expiry", item.PubkeyExpiry);
                    json.WriteString("evidence", item.AttestationEvidenceCase.ToString());
                    if (item.FogSimulatedEvidence?.ReportData is { } data)
                    {
                        json.WriteHex("ingress_public_key_unvalidated", data.CustomIdentity.Span);
                    }

                    json.WriteEndObject();
                }

                json.WriteEndArray();
            });
            return FogCommand.Success;
        });
        return command;
    }
}
