package main

import "etcdsim/linearizability"

// stepsValue is a flag holding a checker's step budget ("50M", "2.5G").
type stepsValue linearizability.Steps

func (v *stepsValue) String() string { return linearizability.Steps(*v).String() }

func (v *stepsValue) Set(text string) error {
	s, err := linearizability.ParseSteps(text)
	if err != nil {
		return err
	}
	*v = stepsValue(s)
	return nil
}

func (v *stepsValue) Type() string { return "steps" }

// budgetUsage is the help text of --budget, shared by run and check.
const budgetUsage = "model steps the linearizability check may take before it answers " +
	"unknown (k, M, G suffixes); a function of the history, never of the machine's speed"
