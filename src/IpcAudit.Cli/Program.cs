using IpcAudit.Cli;

return CommandTree.Run(args, Console.Out, Console.Error);
