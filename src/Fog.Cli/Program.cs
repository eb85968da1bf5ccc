using Fog.Cli;

return FogCommand.Run(args, Console.Out, Console.Error);
