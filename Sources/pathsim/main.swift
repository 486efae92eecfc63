print("pathsim")
