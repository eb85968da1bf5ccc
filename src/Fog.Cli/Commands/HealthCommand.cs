using System.CommandLine;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Fog.Cli.Commands;

/// <summary><c>fog health</c>: a server's gRPC health status, for scripts and orchestrator probes.</summary>
internal static class HealthCommand
{
    internal static Command Build()
    {
        var endpoint = new Argument<string>("endpoint") { Description = "A server's client or admin endpoint, e.g. insecure-fog://127.0.0.1:5200." };
        var service = new Option<string>("--service") { Description = "The gRPC service to ask about (e.g. fog_view.FogViewAPI); the whole server by default.", DefaultValueFactory = _ => "" };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for an answer.", DefaultValueFactory = _ => 5 };
        var command = new Command("health", "Ask a server whether it is serving (exit 0) or not yet (exit 1): view and ledger say NOT_SERVING until loaded.") { endpoint, service, timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var target = CliInput.Endpoint("endpoint", parse.GetValue(endpoint));
            var seconds = parse.GetValue(timeout);
            if (!(seconds > 0))
            {
                throw CliException.BadArgument("--timeout", "must be a positive number of seconds");
            }

            var name = parse.GetValue(service)!;
            using var channel = GrpcChannel.ForAddress(target.ClientUri);
            HealthCheckResponse.Types.ServingStatus status;
            try
            {
                var response = await new Health.HealthClient(channel).CheckAsync(
                    new HealthCheckRequest { Service = name },
                    deadline: DateTime.UtcNow.AddSeconds(seconds),
                    cancellationToken: cancellationToken);
                status = response.Status;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                throw new CliException($"{target} does not serve {(name.Length == 0 ? "a health status" : name)}", FogCommand.Failure);
            }
            catch (RpcException e)
            {
                throw new CliException($"no health answer from {target}: {e.StatusCode} {e.Status.Detail}", FogCommand.Failure);
            }

            var serving = status == HealthCheckResponse.Types.ServingStatus.Serving;
            parse.InvocationConfiguration.Output.WriteLine(serving ? "SERVING" : "NOT_SERVING");
            return serving ? FogCommand.Success : FogCommand.Failure;
        });
        return command;
    }
}
