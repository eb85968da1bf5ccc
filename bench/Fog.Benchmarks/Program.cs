using BenchmarkDotNet.Running;

// Run all suites: dotnet run -c Release --project bench/Fog.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
