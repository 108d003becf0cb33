// The pod sandbox ("pause") image of the local node: no image can be pulled here,
// so local-env builds this static binary into a FROM-scratch image and imports it
// into containerd's k8s.io namespace. Standard library only.
module travel.example/local-env/pause

go 1.25.0
