// Stack
